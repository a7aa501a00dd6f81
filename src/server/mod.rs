//! Everything that only exists in the server binary.

pub mod analysis;
pub mod audio;
pub mod auth;
pub mod batch;
pub mod batch_pages;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod feed;
pub mod headers;
pub mod http;
pub mod hubspot;
pub mod jobs;
pub mod llm;
pub mod mail;
pub mod rest;
pub mod router;
pub mod services;
pub mod simulator;
pub mod state;
pub mod telemetry;
pub mod twilio;
pub mod webhooks;
