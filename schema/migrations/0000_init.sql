CREATE TABLE `activation_history` (
	`zone_id` text NOT NULL,
	`seq` integer NOT NULL,
	`policy_set_id` text NOT NULL,
	`from_policy_set_version_id` text,
	`to_policy_set_version_id` text NOT NULL,
	`shadow_policy_set_version_id` text,
	`actor` text NOT NULL,
	`activated_at` text NOT NULL,
	PRIMARY KEY(`zone_id`, `seq`),
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_set_id`) REFERENCES `policy_sets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`from_policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shadow_policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `activation_history_set` ON `activation_history` (`policy_set_id`,`zone_id`,`seq`);--> statement-breakpoint
CREATE TABLE `invalidation_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`zone_id` text NOT NULL,
	`policy_set_version_id` text NOT NULL,
	`shadow_policy_set_version_id` text,
	`seq` integer NOT NULL,
	`created_at` text NOT NULL,
	`dispatched_at` text,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shadow_policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invalidation_outbox_pending` ON `invalidation_outbox` (`id`) WHERE dispatched_at IS NULL;--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_zone_name_unique` ON `policies` (`zone_id`,`name`);--> statement-breakpoint
CREATE INDEX `policies_zone_created` ON `policies` (`zone_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `policy_set_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`policy_set_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`policy_version_ids` text NOT NULL,
	`list_sha256` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`policy_set_id`) REFERENCES `policy_sets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_set_versions_list_unique` ON `policy_set_versions` (`policy_set_id`,`list_sha256`);--> statement-breakpoint
CREATE INDEX `policy_set_versions_set_created` ON `policy_set_versions` (`policy_set_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `policy_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_sets_zone_name_unique` ON `policy_sets` (`zone_id`,`name`);--> statement-breakpoint
CREATE INDEX `policy_sets_zone_created` ON `policy_sets` (`zone_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`policy_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`source` text NOT NULL,
	`source_sha256` text NOT NULL,
	`rego_version` integer NOT NULL,
	`package` text NOT NULL,
	`plan` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_versions_content_unique` ON `policy_versions` (`policy_id`,`source_sha256`,`rego_version`);--> statement-breakpoint
CREATE INDEX `policy_versions_policy_created` ON `policy_versions` (`policy_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `zone_activations` (
	`zone_id` text PRIMARY KEY NOT NULL,
	`policy_set_id` text NOT NULL,
	`policy_set_version_id` text NOT NULL,
	`shadow_policy_set_version_id` text,
	`seq` integer NOT NULL,
	`activated_at` text NOT NULL,
	`activated_by` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_set_id`) REFERENCES `policy_sets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shadow_policy_set_version_id`) REFERENCES `policy_set_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `zones` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zones_name_unique` ON `zones` (`name`);--> statement-breakpoint
CREATE INDEX `zones_created` ON `zones` (`created_at`,`id`);