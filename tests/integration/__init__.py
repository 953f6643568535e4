"""End-to-end tests: real servers, brokers, footage and models through the whole pipeline."""
