#!/usr/bin/env node
// The `caracal` launcher: runs the TypeScript CLI through tsx (a dev dependency),
// so `npx caracal …` works right after `npm install`, with no build step.
import { tsImport } from "tsx/esm/api";

await tsImport("../cli/index.ts", import.meta.url);
