#!/usr/bin/env node
/** `tpay`: one binary, one sub-command per role. */
import { createProgram } from './program.js';

// `tpay … | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await createProgram().parseAsync(process.argv);
