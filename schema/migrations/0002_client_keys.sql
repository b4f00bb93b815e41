CREATE TABLE `client_assertion_jtis` (
	`client_id` text NOT NULL,
	`jti` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`client_id`, `jti`),
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `client_assertion_jtis_expires` ON `client_assertion_jtis` (`expires_at`);--> statement-breakpoint
ALTER TABLE `clients` ADD `auth_method` text DEFAULT 'client_secret' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks_uri` text;