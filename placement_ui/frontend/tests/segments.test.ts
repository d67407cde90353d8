import { describe, expect, it } from 'vitest'
import { codeFrom, newCondition, newGroup, ruleIn, ruleOut } from '../src/screens/segments/rules'
import type { FieldSpec } from '../src/screens/segments/types'

const field = (name: string, kind: FieldSpec['kind'], ops: string[], choices: FieldSpec['choices'] = []): FieldSpec =>
  ({ field: name, name, kind, ops: ops.map(op => ({ op, name: op })), choices, money: false,
     within_days: kind === 'items' })
const ORDERS = field('orders', 'number', ['>=', 'between'])
const CELL = field('lifecycle', 'choice', ['eq', 'in'], [{ value: 'NEW_ACTIVE', name: 'New active' }])
const SKUS = field('skus_bought', 'items', ['includes', 'excludes'])
const specs = new Map([ORDERS, CELL, SKUS].map(f => [f.field, f]))

describe('the rule builder model', () => {
  it('sends a complete rule with nested groups as the API takes it', () => {
    const root = newGroup('all')
    const orders = newCondition(ORDERS)
    orders.value = '2'
    const inner = newGroup('not')
    const skus = newCondition(SKUS)
    skus.values = ['A-1', 'B-2']
    skus.within_days = '90'
    inner.children.push(skus)
    const cell = newCondition(CELL)
    cell.op = 'in'
    cell.values = ['NEW_ACTIVE']
    root.children.push(orders, inner, cell)
    expect(ruleOut(root, specs)).toEqual({ all: [
      { field: 'orders', op: '>=', value: 2 },
      { not: { field: 'skus_bought', op: 'includes', value: ['A-1', 'B-2'], within_days: 90 } },
      { field: 'lifecycle', op: 'in', value: ['NEW_ACTIVE'] }] })
  })

  it('holds back an incomplete rule (no preview of a half-typed condition)', () => {
    const root = newGroup('any')
    expect(ruleOut(root, specs)).toBeNull()
    const between = newCondition(ORDERS)
    between.op = 'between'
    between.value = '5'
    between.high = '3'
    root.children.push(between)
    expect(ruleOut(root, specs)).toBeNull()
    between.high = '7'
    expect(ruleOut(root, specs)).toEqual({ any: [{ field: 'orders', op: 'between', value: [5, 7] }] })
  })

  it('makes a segment code from the English name', () => {
    expect(codeFrom('Big spenders, 2024')).toBe('BIG_SPENDERS_2024')
    expect(codeFrom('2 orders')).toBe('SEGMENT_2_ORDERS')
  })
})

describe('a stored rule in the builder', () => {
  it('comes back as the same rule once read into the model', () => {
    const rule = { all: [
      { field: 'orders', op: 'between', value: [2, 5] },
      { not: { all: [{ field: 'skus_bought', op: 'includes', value: ['A-1'], within_days: 30 },
                     { field: 'lifecycle', op: 'in', value: ['NEW_ACTIVE'] }] } },
      { any: [{ field: 'orders', op: '>=', value: 3 }] }] }
    expect(ruleOut(ruleIn(rule, specs), specs)).toEqual(rule)
  })

  it('waits for a bought-item condition to have a picked item', () => {
    const root = newGroup('all')
    root.children.push(newCondition(SKUS))
    expect(ruleOut(root, specs)).toBeNull()
  })
})
