CREATE TABLE `blob_chunks` (
	`zone_id` text NOT NULL,
	`sha256` text NOT NULL,
	`seq` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`zone_id`, `sha256`, `seq`),
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `blobs` (
	`zone_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`encoding` text NOT NULL,
	`chunks` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`zone_id`, `sha256`),
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_policy_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`policy_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`source` text,
	`source_sha256` text NOT NULL,
	`rego_version` integer NOT NULL,
	`package` text NOT NULL,
	`plan` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_policy_versions`("id", "policy_id", "zone_id", "source", "source_sha256", "rego_version", "package", "plan", "created_at") SELECT "id", "policy_id", "zone_id", "source", "source_sha256", "rego_version", "package", "plan", "created_at" FROM `policy_versions`;--> statement-breakpoint
DROP TABLE `policy_versions`;--> statement-breakpoint
ALTER TABLE `__new_policy_versions` RENAME TO `policy_versions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `policy_versions_content_unique` ON `policy_versions` (`policy_id`,`source_sha256`,`rego_version`);--> statement-breakpoint
CREATE INDEX `policy_versions_policy_created` ON `policy_versions` (`policy_id`,`created_at`,`id`);