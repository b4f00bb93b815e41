CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`time` text NOT NULL,
	`client_id` text NOT NULL,
	`subject` text NOT NULL,
	`actor` text,
	`resource` text NOT NULL,
	`audience` text NOT NULL,
	`scope_requested` text NOT NULL,
	`scope_granted` text,
	`decision` text NOT NULL,
	`evaluation_status` text NOT NULL,
	`policy_set_id` text,
	`policy_set_version_id` text,
	`determining_policies` text NOT NULL,
	`reasons` text NOT NULL,
	`evaluations` text NOT NULL,
	`error` text,
	`input` text NOT NULL,
	`duration_us` integer NOT NULL,
	`token_jti` text,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_events_zone_time` ON `audit_events` (`zone_id`,`time`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_zone_request` ON `audit_events` (`zone_id`,`request_id`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`name` text NOT NULL,
	`attributes` text NOT NULL,
	`secret_sha256` text NOT NULL,
	`secret_rotated_at` text NOT NULL,
	`disabled_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_zone_name_unique` ON `clients` (`zone_id`,`name`);--> statement-breakpoint
CREATE INDEX `clients_zone_created` ON `clients` (`zone_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `trusted_issuers` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`issuer` text NOT NULL,
	`jwks` text,
	`jwks_uri` text,
	`audience` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trusted_issuers_zone_issuer_unique` ON `trusted_issuers` (`zone_id`,`issuer`);--> statement-breakpoint
CREATE INDEX `trusted_issuers_zone_created` ON `trusted_issuers` (`zone_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `zone_signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`seq` integer NOT NULL,
	`alg` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_key_ciphertext` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zone_signing_keys_zone_seq_unique` ON `zone_signing_keys` (`zone_id`,`seq`);--> statement-breakpoint
ALTER TABLE `zones` ADD `default_token_lifetime` integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE `zones` ADD `max_token_lifetime` integer DEFAULT 3600 NOT NULL;