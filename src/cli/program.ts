/** The `tpay` command tree: one sub-command per role, plus the tools. */
import { Command } from 'commander';
import { registerBatchCommands } from './batch-commands.js';
import { registerDlqCommands } from './dlq-commands.js';
import { registerFirehoseCommands } from './firehose-commands.js';
import { registerForecastCommands } from './forecast-commands.js';
import { registerFxCommands } from './fx-commands.js';
import { registerIngestCommands } from './ingest-commands.js';
import { registerLogCommands } from './log-commands.js';
import { registerRegistryCommands } from './registry-commands.js';
import { registerRoleCommands } from './role-commands.js';
import { registerRunCommand } from './run-command.js';
import { registerTenantCommands } from './tenant-commands.js';
import { registerImportCommands } from './import-commands.js';
import { registerTreasuryCommands } from './treasury-commands.js';

/**
 * The whole CLI, not yet parsed (main.ts parses argv with it; tests read
 * its commands and options).
 * @example createProgram().commands.map((c) => c.name()) // ['run', 'ingest', 'stream', 'api', …]
 */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('tpay')
    .description('Treasury Pay: point-of-sale transactions in, exact sales, banking and forecasts out')
    .option('--config <file>', 'JSON config file (or env TPAY_CONFIG)')
    .option('--data-dir <dir>', 'where all data lives (default ./tpay-data)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .showHelpAfterError();

  registerRunCommand(program);
  registerIngestCommands(program);
  registerRoleCommands(program);
  registerTenantCommands(program);
  registerRegistryCommands(program);
  registerFxCommands(program);
  registerDlqCommands(program);
  registerLogCommands(program);
  registerFirehoseCommands(program);
  registerTreasuryCommands(program);
  registerImportCommands(program);
  registerForecastCommands(program);
  registerBatchCommands(program);
  return program;
}
