CREATE TABLE `hello_greetings` (
	`id` integer PRIMARY KEY NOT NULL,
	`text` text NOT NULL
);
