PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_policy_wasm_modules` (
	`version_id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`sha256` text NOT NULL,
	`wasm` text,
	`data` text,
	`manifest` text NOT NULL,
	`entrypoints` text NOT NULL,
	`builtins` text NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `policy_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_policy_wasm_modules`("version_id", "zone_id", "sha256", "wasm", "data", "manifest", "entrypoints", "builtins") SELECT "version_id", "zone_id", "sha256", "wasm", "data", "manifest", "entrypoints", "builtins" FROM `policy_wasm_modules`;--> statement-breakpoint
DROP TABLE `policy_wasm_modules`;--> statement-breakpoint
ALTER TABLE `__new_policy_wasm_modules` RENAME TO `policy_wasm_modules`;--> statement-breakpoint
PRAGMA foreign_keys=ON;