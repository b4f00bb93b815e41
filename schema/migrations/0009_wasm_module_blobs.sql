ALTER TABLE `policy_wasm_modules` ADD `wasm_blob` text;--> statement-breakpoint
ALTER TABLE `policy_wasm_modules` ADD `data_blob` text;