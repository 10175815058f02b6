import { readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { baseCompile } from '@intlify/message-compiler'
import vue from '@vitejs/plugin-vue'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// The version staff see (and support asks for): VITE_APP_VERSION when the build sets it, else
// package.json's. Vite passes VITE_* variables to the app as import.meta.env.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
process.env.VITE_APP_VERSION ||= pkg.version

/** Stamps the version into index.html, so the cached shell itself says which build it is. */
function versionMeta(): Plugin {
  return {
    name: 'bloodbus-version-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { name: 'bloodbus-version', content: process.env.VITE_APP_VERSION ?? '' },
        injectTo: 'head',
      },
    ],
  }
}

/**
 * Compiles the i18n message files (src/app/i18n/locales/<locale>/<feature>.ts) to message ASTs at
 * build time, so the app ships without vue-i18n's message compiler (see __INTLIFY_DROP_MESSAGE_COMPILER__).
 * Tests (vitest.config.ts) keep plain strings and the runtime compiler.
 */
function precompileMessages(): Plugin {
  const file = /\/src\/app\/i18n\/locales\/([^/]+)\/([^/]+)\.ts$/
  // A message without placeholders, plurals or links becomes a function returning its text (the
  // smallest form vue-i18n takes without its compiler); any other, its minified AST.
  const compileTree = (node: unknown, key: string): string => {
    if (typeof node === 'string') {
      const { ast } = baseCompile(node, {
        jit: true,
        minify: true,
        location: false,
        onError: (e) => {
          throw new Error(`message ${key}: ${e.message}`)
        },
      }) as unknown as { ast: { b?: { t?: number; s?: string } } }
      return ast.b?.t === 2 && typeof ast.b.s === 'string' ? `s(${JSON.stringify(ast.b.s)})` : JSON.stringify(ast)
    }
    if (typeof node !== 'object' || node === null) throw new Error(`message ${key}: not a string`)
    return `{${Object.entries(node)
      .map(([k, v]) => `${JSON.stringify(k)}:${compileTree(v, `${key}.${k}`)}`)
      .join(',')}}`
  }
  return {
    name: 'bloodbus-precompile-messages',
    enforce: 'post',
    async transform(code, id) {
      const m = file.exec(id.split('?')[0]!)
      if (!m) return null
      // Message files are plain objects without imports: run the compiled module and take its default.
      const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
        default: unknown
      }
      return {
        code: `const s = (text) => () => text\nexport default ${compileTree(mod.default, `${m[1]}:${m[2]}`)}`,
        map: null,
      }
    },
  }
}

/**
 * What a cold start on the bus fetches, in three files instead of thirty-odd small ones (each costs
 * a request, a preload tag, a compile and its own gzip dictionary): the entry, the libraries every
 * screen needs (`vendor`), and the donor form with the layout and lock around it (`record-form`):
 * everything those two route components import statically that the entry does not already have.
 * The set comes from the module graph at the end of the build, so it follows the code. Rolldown
 * brings a group's dependencies along, so the code the entry shares with the form (messages,
 * device store) lands in record-form too; the entry keeps main.ts, the router and the
 * update prompt.
 */
function recordFormChunk(): { plugin: Plugin; test: (id: string) => boolean } {
  const members = new Set<string>()
  const plugin: Plugin = {
    name: 'bloodbus-record-form-chunk',
    apply: 'build',
    buildEnd() {
      const closure = (roots: string[]): Set<string> => {
        const seen = new Set<string>()
        const stack = [...roots]
        while (stack.length > 0) {
          const id = stack.pop()!
          if (seen.has(id)) continue
          seen.add(id)
          stack.push(...(this.getModuleInfo(id)?.importedIds ?? []))
        }
        return seen
      }
      const ids = [...this.getModuleIds()]
      const shell = closure(ids.filter((id) => /\/src\/app\/main\.ts$/.test(id)))
      const form = closure(ids.filter((id) => /\/src\/app\/views\/(FieldLayout|DonorRecordView)\.vue$/.test(id)))
      members.clear()
      for (const id of form) if (!shell.has(id) && !id.includes('/node_modules/')) members.add(id)
    },
  }
  return { plugin, test: (id) => members.has(id) }
}
const recordForm = recordFormChunk()

/**
 * Marks the chunks a cold start runs nearly all of (entry, vendor, record-form) with V8's explicit
 * compile hint: Chrome 136+ then compiles their functions on the thread that streams the file,
 * instead of one by one on the main thread at first call (a third of a cold start's main-thread
 * time on a slow phone, measured). Other browsers ignore the comment. Added after minification,
 * which would drop it.
 */
function compileHints(): Plugin {
  return {
    name: 'bloodbus-compile-hints',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      // After Vite's own additions to the top of a chunk: the comment must come first.
      order: 'post',
      handler(_, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === 'chunk' && (chunk.isEntry || chunk.name === 'vendor' || chunk.name === 'record-form')) {
            chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`
          }
        }
      },
    },
  }
}

/**
 * The station's pages (and the XLSX writer their report loads) are for the station's computers,
 * online: phones do not precache them. A module is a phone's when the app reaches it without
 * going through a station page or a station store; a chunk with none of those is the station's
 * and the service worker's manifest leaves it out (manifestTransforms below), with CSS only it
 * imports. Found from the module graph at the end of the build, so it follows the code.
 */
function stationChunks(): { plugin: Plugin; isStation: (url: string) => boolean } {
  const station = new Set<string>()
  const stationRoot = /\/src\/app\/(views\/station\/|stores\/useStation)/
  const plugin: Plugin = {
    name: 'bloodbus-station-chunks',
    apply: 'build',
    generateBundle(_, bundle) {
      const phone = new Set<string>()
      const stack = [...this.getModuleIds()].filter((id) => this.getModuleInfo(id)?.isEntry)
      while (stack.length > 0) {
        const id = stack.pop()!
        if (phone.has(id) || stationRoot.test(id)) continue
        phone.add(id)
        const info = this.getModuleInfo(id)
        stack.push(...(info?.importedIds ?? []), ...(info?.dynamicallyImportedIds ?? []))
      }
      // Chunks holding a phone module, and every chunk they import (the runtime has no module).
      const chunks = new Map(
        Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c] as const] : [])),
      )
      const phoneChunks = new Set<string>()
      const pending = [...chunks.values()].filter((c) => c.moduleIds.some((id) => phone.has(id))).map((c) => c.fileName)
      while (pending.length > 0) {
        const name = pending.pop()!
        if (phoneChunks.has(name)) continue
        phoneChunks.add(name)
        pending.push(...(chunks.get(name)?.imports ?? []))
      }
      const phoneCss = new Set([...phoneChunks].flatMap((n) => [...(chunks.get(n)!.viteMetadata?.importedCss ?? [])]))
      station.clear()
      for (const chunk of chunks.values()) {
        if (phoneChunks.has(chunk.fileName)) continue
        station.add(chunk.fileName)
        for (const css of chunk.viteMetadata?.importedCss ?? []) if (!phoneCss.has(css)) station.add(css)
      }
    },
  }
  return { plugin, isStation: (url) => station.has(url.replace(/^\//, '')) }
}
const stationOnly = stationChunks()

export default defineConfig({
  plugins: [
    vue(),
    versionMeta(),
    recordForm.plugin,
    compileHints(),
    stationOnly.plugin,
    precompileMessages(),
    VitePWA({
      registerType: 'prompt',
      strategies: 'injectManifest',
      srcDir: 'src/app/sw',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm,woff2}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        manifestTransforms: [
          (entries) => ({ manifest: entries.filter((e) => !stationOnly.isStation(e.url)), warnings: [] }),
        ],
      },
      manifest: {
        name: 'Blood Bus 献血车',
        short_name: '献血车',
        description: 'Mobile blood collection, offline',
        lang: 'zh-CN',
        theme_color: '#b3121f',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  // Compile-time flags: drop what the app does not use (Options API, legacy vue-i18n API and its
  // global components, devtools hooks) from the JS every phone loads first.
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // Messages arrive precompiled (precompileMessages above): no compiler in the browser.
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
  resolve: {
    alias: [
      // Dexie's modern ES module build, not its default entry (a wrapper around the ES5 UMD file,
      // there so that CommonJS and ESM users share one copy): the app bundles one copy anyway,
      // and the modern one is smaller and quicker to compile and run at every cold start.
      {
        find: /^dexie$/,
        replacement: fileURLToPath(new URL('./node_modules/dexie/dist/modern/dexie.mjs', import.meta.url)),
      },
    ],
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2020',
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // Not Dexie: the first screen reads without it (db/boot-read.ts); it loads after.
            {
              name: 'vendor',
              test: /node_modules[\\/](@vue|vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/,
              priority: 2,
            },
            { name: 'record-form', test: recordForm.test, priority: 1 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
})
