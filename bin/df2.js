#!/usr/bin/env node
// First, before df2's modules load: an evaluation that gains from huge pages starts again with them (see dist/cli/relaunch.js).
import { relaunchWithHugePages } from '../dist/cli/relaunch.js';

relaunchWithHugePages();
const { main } = await import('../dist/cli/main.js');
main(process.argv);
