/** OPA conformance cases, shard 4 of 4 (folders split so the shards run in parallel). */
import { conformanceSuite, folderShard } from './suite.ts';

conformanceSuite('shard 4/4', folderShard(3, 4));
