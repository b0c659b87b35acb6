ALTER TABLE `templates` ADD `source_app_id` integer REFERENCES apps(id) ON DELETE set null;--> statement-breakpoint
CREATE INDEX `templates_source_app` ON `templates` (`source_app_id`);--> statement-breakpoint
ALTER TABLE `audit_entries` ADD `possibly_secret` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `audit_entries` ADD `sealed_input` text;