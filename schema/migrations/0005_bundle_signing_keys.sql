CREATE TABLE `bundle_signing_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`key_id` text NOT NULL,
	`alg` text NOT NULL,
	`public_jwk` text NOT NULL,
	`scope` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bundle_signing_keys_zone_key_unique` ON `bundle_signing_keys` (`zone_id`,`key_id`);--> statement-breakpoint
ALTER TABLE `zones` ADD `require_signed_bundles` integer DEFAULT false NOT NULL;