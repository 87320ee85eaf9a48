#!/usr/bin/env node
// `mlp`: the ML platform's command line for project folders (docs/projects.md). `npx mlp --help`.
import { runCli } from './program.mjs';

process.exitCode = await runCli(process.argv.slice(2));
