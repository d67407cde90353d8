import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/lib/api'
import { fieldErrors, nestedErrors } from '../src/lib/fields'
import { wordKey } from '../src/screens/shops/fields'
import { messages } from '../src/i18n'

describe('shops field errors', () => {
  const err = new ApiError(422, 'validation_error', 'invalid', {
    fields: { name: ['Shorter than minimum length 1.'], mapping: { paid: ['Not a stage of the shop pipeline.'] } },
  })
  it('reads one text per top-level field of a 422', () => {
    expect(fieldErrors(err)).toEqual({ name: 'Shorter than minimum length 1.',
                                       mapping: 'Not a stage of the shop pipeline.' })
    expect(fieldErrors(new ApiError(500, 'x', 'y'))).toEqual({})
    expect(fieldErrors(new Error('plain'))).toEqual({})
  })
  it('reads a nested field by key', () => {
    expect(nestedErrors(err, 'mapping')).toEqual({ paid: 'Not a stage of the shop pipeline.' })
    expect(nestedErrors(err, 'name')).toEqual({})
  })
  it('names event types and statuses, unknown ones generically', () => {
    const known = (key: string) => key.split('.').reduce((n: any, p) => n?.[p], messages.ru) !== undefined
    expect(wordKey('types', 'shop.test', known)).toBe('shops.events.types.shop_test')
    expect(wordKey('types', 'order.created', known)).toBe('shops.events.types.order_created')
    expect(wordKey('types', 'brand.new', known)).toBe('shops.events.types.other')
    expect(wordKey('statuses', 'done', known)).toBe('shops.events.statuses.done')
  })
})
