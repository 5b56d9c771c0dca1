# A policy that evaluates for every version and never holds one back: with `bench:npm
# --trivial-policy` it measures what a cold install costs when policy evaluation is as cheap as it
# can be (and risk signals are off), beside the built-in policy in the same run.
package airlock

import rego.v1

deny contains "never" if input.facts.bench_never_set == true
