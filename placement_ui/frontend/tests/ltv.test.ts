import { describe, expect, it } from 'vitest'
import { monthLabel, polyline, runs } from '../src/screens/ltv/chart'
import { valueAt } from '../src/screens/ltv/types'

describe('ltv chart helpers', () => {
  it('labels a cohort by its month in the page language', () => {
    expect(monthLabel('en', '2024-03')).toBe('Mar 2024')
    expect(monthLabel('ru', '2024-03')).toMatch(/^мар.* 2024/)
  })
  it('splits a line at a cohort that is too young and keeps each point\'s cohort', () => {
    const parts = runs([10, 20, null, 40], 300, 100, 40)
    expect(parts.map(run => run.map(p => p.index))).toEqual([[0, 1], [3]])
    expect(polyline(parts[0])).toBe('0.0,75.0 100.0,50.0')
    expect(parts[1][0]).toMatchObject({ x: 300, y: 0, value: 40 })
  })
  it('centres a single cohort and draws nothing without values', () => {
    expect(runs([5], 200, 50, 10)[0][0]).toMatchObject({ x: 100, y: 25 })
    expect(runs([null, null], 200, 50, 10)).toEqual([])
  })
  it('reads a horizon\'s value', () => {
    const row = { value_6m: 1, value_12m: 2, value_24m: null }
    expect([valueAt(row, 6), valueAt(row, 12), valueAt(row, 24)]).toEqual([1, 2, null])
  })
})
