// The names of event types and statuses the API answers as codes.
/** The names of event types and statuses the API answers as codes, by catalogue key ("order.created" ->
 * "order_created"); an unknown code reads the catalogue's "other". */
export function wordKey(group: string, code: string, known: (key: string) => boolean): string {
  const key = `shops.events.${group}.${code.replace(/\./g, '_')}`
  return known(key) ? key : `shops.events.${group}.other`
}
