import { describe, expect, it } from 'vitest'
import en from '../src/i18n/en'
import ru from '../src/i18n/ru'

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()
}

function leaf(tree: object, key: string): string {
  return key.split('.').reduce((node: any, part) => node[part], tree)
}

describe('i18n catalogue', () => {
  it('has every key in both languages', () => {
    expect(keys(en).sort()).toEqual(keys(ru).sort())
  })
  it('has no empty text and the same placeholders in both', () => {
    for (const key of keys(ru)) {
      expect(leaf(ru, key).trim(), key).not.toBe('')
      expect(leaf(en, key).trim(), key).not.toBe('')
      expect(placeholders(leaf(en, key)), key).toEqual(placeholders(leaf(ru, key)))
    }
  })
})
