"""The public HTTP API: one route per operation of API.md, documented by the OpenAPI document."""
