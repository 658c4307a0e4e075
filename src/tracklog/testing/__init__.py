"""Support shared by the test suite and the benchmarks (neither imports the other): throwaway
PostgreSQL and Redis servers, ready instances, real multi-process deployments, load helpers, and
in-memory fakes of the ports for unit tests of services."""
