import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import bitrix24UIPluginVite from '@bitrix24/b24ui-nuxt/vite'

// The bundle is served by Flask from placement_ui/static/dist/; the shell finds its entry in the manifest.
export default defineConfig({
  base: './',
  plugins: [
    vue(),
    bitrix24UIPluginVite({
      router: false,          // one page per placement: no vue-router
      colorMode: false,       // the portal decides the theme; nothing is kept in localStorage
      dts: false,
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../static/dist', import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    rollupOptions: { input: fileURLToPath(new URL('./src/main.ts', import.meta.url)) },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
})
