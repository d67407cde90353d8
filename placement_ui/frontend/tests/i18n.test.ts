import { describe, expect, it } from 'vitest'
import { messages } from '../src/i18n'

const { en, ru } = messages

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
  it('merges every screen without one hiding another', () => {
    const names = Object.keys(ru)
    expect(new Set(names).size).toBe(names.length)
    expect(names).toEqual(expect.arrayContaining(['common', 'overview', 'shops', 'sync', 'card', 'access']))
  })
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
