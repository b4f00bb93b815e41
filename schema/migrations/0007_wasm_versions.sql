CREATE TABLE `policy_wasm_modules` (
	`version_id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`sha256` text NOT NULL,
	`wasm` text NOT NULL,
	`data` text NOT NULL,
	`manifest` text NOT NULL,
	`entrypoints` text NOT NULL,
	`builtins` text NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `policy_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `policy_versions` ADD `engine` text DEFAULT 'rego' NOT NULL;