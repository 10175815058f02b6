// Entry point: `npm start` / `npm run serve`. Starts the station server on PORT (default 8080).
import { serve } from '@hono/node-server'
import { createStationApp } from './app'
import { loadConfig } from './config'

const config = loadConfig(process.env)
const app = createStationApp(config)
serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(JSON.stringify({ level: 'info', msg: 'listening', url: `http://localhost:${info.port}/` }))
  console.log(`Blood Bus is running at http://localhost:${info.port}/`)
})
