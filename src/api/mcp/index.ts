export * from './mcp-endpoint.ts';
