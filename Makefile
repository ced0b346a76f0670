.PHONY: run test test-fast
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
test-fast:
	bash scripts/test.sh --fast
