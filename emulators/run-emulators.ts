import { parseArgs } from 'node:util';
import { DEMO_CRM_ACCOUNTS } from '#src/db/seed/demo-data.ts';
import { startEmulators } from '#emulators/start-emulators.ts';

/**
 * `npm run crm-emulators [-- --port-base N]`: the five local CRM emulators on 127.0.0.1 until
 * interrupted, knowing the demo's CRM users and keys. Free ports by default (printed, with the
 * ERGO_CRM_<NAME>_URL lines that point Ergo Admin at them); `--port-base N` binds N…N+4.
 */
const { values } = parseArgs({
  options: { 'port-base': { type: 'string', default: '0' } },
});
const portBase = Number(values['port-base']);
if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65530) {
  console.error('--port-base must be a port number between 0 and 65530');
  process.exit(2);
}
const running = await startEmulators({ portBase, accounts: DEMO_CRM_ACCOUNTS }).catch(
  (error: unknown) => {
    console.error(
      `Could not start the CRM emulators: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
console.log('CRM emulators listening (Ctrl-C to stop):');
for (const [crm, url] of Object.entries(running.urls)) console.log(`  ${crm.padEnd(10)} ${url}`);
console.log('Point Ergo Admin at them with:');
for (const [crm, url] of Object.entries(running.urls)) {
  console.log(`  ERGO_CRM_${crm.toUpperCase()}_URL=${url}`);
}
const stop = () => {
  void running.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
