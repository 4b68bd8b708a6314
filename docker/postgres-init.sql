-- Runs once, when the Postgres volume is created: a database for SQLTableIOManager, apart from
-- Airflow's metadata database.
CREATE DATABASE warehouse;
