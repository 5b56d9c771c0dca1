-- What a reader or publisher token may reach beyond its role: JSON {"repos": [...] | null,
-- "packages": [...] | null}, or NULL for everything the role allows.
ALTER TABLE tokens ADD COLUMN scope TEXT;
