// The rule builder's model <-> the API's rule ({all|any: [...]}, {not: ...}, {field, op, value}): a condition is
// sent only when it is complete, so the live preview never asks about a half-typed rule.
import type { Condition, FieldSpec, Group } from './types'

let nextId = 1
export const newId = () => nextId++

export function newCondition(field: FieldSpec): Condition {
  return { type: 'cond', id: newId(), field: field.field, op: field.ops[0]!.op, value: '', high: '', values: [],
           within_days: '' }
}

export function newGroup(mode: Group['mode'] = 'all'): Group {
  return { type: 'group', id: newId(), mode, children: [] }
}

const MULTI = new Set(['in', 'not_in', 'includes', 'excludes'])
export const isMulti = (op: string) => MULTI.has(op)

function number(text: string): number | null {
  const trimmed = text.trim().replace(',', '.').replace(/\s/g, '')
  if (!trimmed) return null
  const value = Number(trimmed)
  return Number.isFinite(value) ? value : null
}

function listOf(text: string): string[] {
  return text.split(',').map(v => v.trim()).filter(Boolean)
}

/** The condition as the API takes it, or null while it is incomplete. */
export function conditionOut(cond: Condition, spec: FieldSpec | undefined): Record<string, unknown> | null {
  if (!spec) return null
  let value: unknown
  if (spec.kind === 'number') {
    const low = number(cond.value)
    if (low === null) return null
    if (cond.op === 'between') {
      const high = number(cond.high)
      if (high === null || high < low) return null
      value = [low, high]
    } else value = low
  } else if (spec.kind === 'items') {
    if (!cond.values.length) return null
    value = cond.values
  } else if (spec.choices.length) {
    if (isMulti(cond.op)) value = cond.values
    else value = cond.values[0]
    if (value === undefined || (Array.isArray(value) && !value.length)) return null
  } else {
    const items = listOf(cond.value)
    if (!items.length) return null
    value = isMulti(cond.op) ? items : items[0]
  }
  const out: Record<string, unknown> = { field: cond.field, op: cond.op, value }
  const days = number(cond.within_days)
  if (spec.within_days && days !== null && days > 0) out.within_days = Math.round(days)
  return out
}

/** The group as the API takes it, or null while any part is incomplete (or a group is empty). */
export function ruleOut(group: Group, specs: Map<string, FieldSpec>): Record<string, unknown> | null {
  const parts: Record<string, unknown>[] = []
  for (const child of group.children) {
    const out = child.type === 'group' ? ruleOut(child, specs) : conditionOut(child, specs.get(child.field))
    if (out === null) return null
    parts.push(out)
  }
  if (!parts.length) return null
  if (group.mode === 'not') return { not: parts.length === 1 ? parts[0] : { all: parts } }
  return { [group.mode]: parts }
}

/** A stored rule (the API's shape) as the builder's model; a {not: {all: [...]}} comes back as one "none of" group. */
export function ruleIn(rule: Record<string, unknown>, specs: Map<string, FieldSpec>): Group {
  const group = (mode: Group['mode'], parts: unknown[]): Group => ({ ...newGroup(mode),
    children: parts.map(part => nodeIn(part as Record<string, unknown>, specs)) })
  if (Array.isArray(rule.all)) return group('all', rule.all)
  if (Array.isArray(rule.any)) return group('any', rule.any)
  if (rule.not && typeof rule.not === 'object') {
    const inner = rule.not as Record<string, unknown>
    return group('not', Array.isArray(inner.all) ? inner.all : [inner])
  }
  return group('all', [rule])
}

function nodeIn(node: Record<string, unknown>, specs: Map<string, FieldSpec>): Group | Condition {
  if (!('field' in node)) return ruleIn(node, specs)
  const spec = specs.get(String(node.field))
  const value = node.value
  const cond: Condition = { type: 'cond', id: newId(), field: String(node.field), op: String(node.op), value: '',
                            high: '', values: [], within_days: node.within_days ? String(node.within_days) : '' }
  if (spec?.kind === 'number') {
    if (Array.isArray(value)) { cond.value = String(value[0]); cond.high = String(value[1]) } else cond.value = String(value)
  } else if (spec?.kind === 'items' || spec?.choices.length) {
    cond.values = Array.isArray(value) ? [...value] as (string | number)[] : [value as string | number]
  } else {
    cond.value = Array.isArray(value) ? value.join(', ') : String(value ?? '')
  }
  return cond
}

/** A segment code from its English name: BIG_SPENDERS (Latin letters, digits and _, starting with a letter). */
export function codeFrom(name: string): string {
  const base = name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase()
  const code = /^[A-Z]/.test(base) ? base : `SEGMENT_${base}`
  return code.slice(0, 64).replace(/_+$/, '') || 'SEGMENT'
}
