"""Tests of the local Thena emulator: API contract tests and emulator-only controls."""
