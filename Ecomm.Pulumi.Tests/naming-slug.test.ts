import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { stackSlug } from "../Ecomm.Pulumi/shared/naming";

describe("stackSlug", () => {
    it("keeps plain stack names", () => {
        assert.equal(stackSlug("prod"), "prod");
        assert.equal(stackSlug("dev-2"), "dev-2");
    });
    it("turns what RDS, KMS and CloudWatch names refuse into single hyphens", () => {
        assert.equal(stackSlug("My_Stack.v2"), "my-stack-v2");
        assert.equal(stackSlug("a..b__c"), "a-b-c");
        assert.equal(stackSlug("_edge_"), "edge");
        assert.match(`ecomm-${stackSlug("x.__.y")}-database-final`, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    });
    it("refuses a name with nothing to keep", () => {
        assert.throws(() => stackSlug("._."), /no letter or digit/);
    });
});
