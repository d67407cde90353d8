// English; every key mirrors ru.ts.
export default {
  app: { title: 'Shop and customers' },
  nav: { overview: 'Overview', segments: 'Segments', campaigns: 'Campaigns', messages: 'Messages', ltv: 'Lifetime value', shops: 'Shops', sync: 'Sync health', access: 'Access' },
  common: {
    loading: 'Loading…',
    empty: 'No data yet',
    retry: 'Retry',
    refresh: 'Refresh',
    error: 'Could not load the data',
    forbidden: 'Only the app’s administrators can open this section',
    updated: 'Updated {when}',
  },
}
