ALTER TABLE `policy_versions` ADD `files_blob` text;--> statement-breakpoint
ALTER TABLE `policy_versions` ADD `data_blob` text;--> statement-breakpoint
ALTER TABLE `policy_versions` ADD `plan_blob` text;--> statement-breakpoint
ALTER TABLE `policy_versions` ADD `revision` text;--> statement-breakpoint
ALTER TABLE `policy_versions` ADD `file_count` integer;