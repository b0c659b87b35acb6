CREATE TABLE `instance_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`batch` integer NOT NULL,
	`direction` text NOT NULL,
	`instance_name` text NOT NULL,
	`reason` text NOT NULL,
	`message` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`order_id`) REFERENCES `release_orders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_failures_order` ON `instance_failures` (`order_id`,`id`);--> statement-breakpoint
CREATE TABLE `order_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`from_state` text,
	`to_state` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `release_orders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `order_transitions_order` ON `order_transitions` (`order_id`,`id`);--> statement-breakpoint
CREATE TABLE `release_orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`environment_id` integer NOT NULL,
	`kind` text NOT NULL,
	`from_revision` integer,
	`to_revision` integer NOT NULL,
	`plan` text NOT NULL,
	`pause_mode` text NOT NULL,
	`state` text NOT NULL,
	`direction` text DEFAULT 'FORWARD' NOT NULL,
	`cursor` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `release_orders_environment` ON `release_orders` (`environment_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `release_orders_one_active` ON `release_orders` (`environment_id`) WHERE state IN ('DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK');--> statement-breakpoint
CREATE TABLE `revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`environment_id` integer NOT NULL,
	`number` integer NOT NULL,
	`image` text NOT NULL,
	`image_tag` text NOT NULL,
	`settings` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_environment_number_unique` ON `revisions` (`environment_id`,`number`);