/** The schema names the PostgreSQL driver takes: lower-case SQL identifiers, at most 63 bytes (it interpolates them). Apart from the driver, so the configuration can check a name without loading the client library. */
export const PG_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
