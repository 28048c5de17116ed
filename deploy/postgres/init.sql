-- Run once by the postgres image on its first start (empty data volume), as POSTGRES_USER, which owns
-- the databases. Each service creates and migrates its own schema at start (Flyway).
-- Mounted by docker-compose.yml as /docker-entrypoint-initdb.d/10-cxr-databases.sql.
CREATE DATABASE ingest;
CREATE DATABASE results;
CREATE DATABASE training;
