import { parseArgs } from 'node:util';
import {
  DEFAULT_EMULATOR_PORT_BASE,
  startEmulators,
} from '#src/integrations/crm/emulators/start-emulators.ts';

/**
 * `npm run crm-emulators [-- --port-base N]`: the five local CRM emulators on 127.0.0.1 until
 * interrupted. `--port-base 0` picks free ports.
 */
const { values } = parseArgs({
  options: { 'port-base': { type: 'string', default: String(DEFAULT_EMULATOR_PORT_BASE) } },
});
const portBase = Number(values['port-base']);
if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65530) {
  console.error('--port-base must be a port number between 0 and 65530');
  process.exit(2);
}
const running = await startEmulators(portBase).catch((error: unknown) => {
  console.error(
    `Could not start the CRM emulators: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
console.log('CRM emulators listening (Ctrl-C to stop):');
for (const [crm, url] of Object.entries(running.urls)) console.log(`  ${crm.padEnd(10)} ${url}`);
const stop = () => {
  void running.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
