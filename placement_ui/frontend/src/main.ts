import './assets/main.css'
import { createApp } from 'vue'
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin'
import App from './App.vue'
import { createApi } from './lib/api'
import { readBootstrap } from './lib/bootstrap'
import { APP_CONTEXT } from './lib/context'
import { connectFrame } from './lib/frame'
import { makeI18n } from './i18n'

async function start() {
  const boot = readBootstrap()
  document.documentElement.lang = boot.lang
  const frame = await connectFrame()
  const app = createApp(App)
  app.use(b24UiPlugin)
  app.use(makeI18n(boot.lang))
  app.provide(APP_CONTEXT, { boot, api: createApi(boot), frame })
  app.mount('#app')
  await frame.fit()
  if (frame.inFrame) {
    // screens fill in as their data arrives: the portal's frame follows the content's height
    let queued = false
    new ResizeObserver(() => {
      if (queued) return
      queued = true
      requestAnimationFrame(() => { queued = false; void frame.fit() })
    }).observe(document.body)
  }
}

start().catch((exc) => {
  console.error('the app could not start', exc)
})
