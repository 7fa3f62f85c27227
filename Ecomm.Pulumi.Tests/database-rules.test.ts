import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { databaseRuleProblems, defaultEngineVersion, engineVersionProblem, engineParameters, enhancedMonitoringPolicyArn, logExports, majorVersion, parameterGroupFamily, performanceInsightsSupported, rdsEngineName, rdsIdentifierProblem, tlsParameter, windowMinutes, windowsOverlap, type DatabaseRuleInput } from "../Ecomm.Pulumi/database/rules";
import { requiredAvailabilityZones } from "../Ecomm.Pulumi/database/modes";

const base: DatabaseRuleInput = {
    mode: "multi-az-instance",
    engine: "postgres",
    engineVersion: "17",
    instanceClass: "db.m7g.large",
    allocatedStorageGb: 100,
    maxAllocatedStorageGb: 500,
    backupRetentionDays: 14,
    backupWindow: "03:00-04:00",
    maintenanceWindow: "sun:05:00-sun:06:00",
    autoMinorVersionUpgrade: true,
    allowMajorVersionUpgrade: false,
    applyImmediately: false,
};

/** The distinct fields the rules flag for the prod defaults with `patch` applied. */
const fieldsOf = (patch: Partial<DatabaseRuleInput>) => [...new Set(databaseRuleProblems({ ...base, ...patch }).map((p) => p.field))];

describe("family derivation", () => {
    for (const [mode, engine, version, family] of [
        ["multi-az-instance", "postgres", "16.8", "postgres16"],
        ["single-az", "postgres", "17.2", "postgres17"],
        ["multi-az-instance", "mysql", "8.0.40", "mysql8.0"],
        ["multi-az-cluster", "mysql", "8.4.3", "mysql8.4"],
        ["multi-az-cluster", "postgres", "15.10", "postgres15"],
        ["aurora", "postgres", "16.6", "aurora-postgresql16"],
        ["aurora", "mysql", "8.0.mysql_aurora.3.08.0", "aurora-mysql8.0"],
    ] as const) {
        it(`${mode} ${engine} ${version} → ${family}`, () => {
            assert.equal(parameterGroupFamily(mode, engine, version), family);
        });
    }

    it("takes the major version as RDS counts it", () => {
        assert.equal(majorVersion("postgres", "16"), "16");
        assert.equal(majorVersion("postgres", "13.20"), "13");
        assert.equal(majorVersion("mysql", "8.0.mysql_aurora.3.08.0"), "8.0");
        assert.equal(rdsEngineName("aurora", "postgres"), "aurora-postgresql");
        assert.equal(rdsEngineName("multi-az-cluster", "mysql"), "mysql");
    });
});

describe("window overlap", () => {
    for (const [backup, maintenance, overlap] of [
        ["03:00-04:00", "sun:05:00-sun:06:00", false],
        ["03:00-04:00", "sun:03:30-sun:04:30", true],
        ["03:00-04:00", "sun:04:00-sun:05:00", false], // touching ends share no minute
        ["03:00-04:00", "wed:02:00-wed:03:00", false],
        ["03:00-04:00", "wed:02:00-wed:03:01", true],
        // Backup window past midnight: 23:30-00:30 covers the first half hour of every day.
        ["23:30-00:30", "mon:00:00-mon:00:30", true],
        ["23:30-00:30", "tue:00:30-tue:01:30", false],
        // Its Sunday occurrence wraps past the end of the week into Monday 00:00-00:30.
        ["23:30-00:30", "mon:00:15-mon:01:00", true],
        // Maintenance window past the end of the week: sun 23:00 → mon 01:00.
        ["00:30-01:00", "sun:23:00-mon:01:00", true],
        ["01:00-01:30", "sun:23:00-mon:01:00", false],
        ["22:00-22:30", "sun:23:00-mon:01:00", false],
        ["22:30-23:15", "sun:23:00-mon:01:00", true],
        // Maintenance window spanning a day boundary mid-week.
        ["00:10-00:40", "wed:23:50-thu:00:20", true],
    ] as const) {
        it(`backup ${backup} vs maintenance ${maintenance}: ${overlap ? "overlap" : "no overlap"}`, () => {
            assert.equal(windowsOverlap(backup, maintenance), overlap);
        });
    }

    it("agrees with a minute-by-minute check on random windows", () => {
        const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
        const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        const fmt = ([h, m]: [number, number]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
        fc.assert(
            fc.property(hhmm, hhmm, fc.integer({ min: 0, max: 6 }), hhmm, fc.integer({ min: 0, max: 6 }), hhmm, (b1, b2, d1, m1, d2, m2) => {
                const backup = `${fmt(b1)}-${fmt(b2)}`;
                const maintenance = `${days[d1]}:${fmt(m1)}-${days[d2]}:${fmt(m2)}`;
                fc.pre(windowMinutes(backup, true) > 0 && windowMinutes(maintenance, false) > 0);
                const week = 7 * 1440;
                const inBackup = new Set<number>();
                const bStart = b1[0] * 60 + b1[1];
                for (let day = 0; day < 7; day++)
                    for (let t = 0; t < windowMinutes(backup, true); t++) inBackup.add((day * 1440 + bStart + t) % week);
                const mStart = d1 * 1440 + m1[0] * 60 + m1[1];
                let shared = false;
                for (let t = 0; t < windowMinutes(maintenance, false) && !shared; t++) shared = inBackup.has((mStart + t) % week);
                assert.equal(windowsOverlap(backup, maintenance), shared, `${backup} / ${maintenance}`);
            }),
            { numRuns: 300 },
        );
    });

    it("measures windows that wrap past midnight and the week's end", () => {
        assert.equal(windowMinutes("23:30-00:30", true), 60);
        assert.equal(windowMinutes("sun:23:00-mon:01:00", false), 120);
        assert.equal(windowMinutes("03:00-03:00", true), 0);
    });
});

describe("databaseRuleProblems", () => {
    it("accepts the prod defaults", () => {
        assert.deepEqual(databaseRuleProblems(base), []);
    });

    it("flags a maintenance window overlapping the backup window, on the maintenance window", () => {
        assert.deepEqual(fieldsOf({ maintenanceWindow: "sun:03:30-sun:04:30" }), ["maintenanceWindow"]);
    });

    it("flags windows shorter than 30 minutes", () => {
        assert.deepEqual(fieldsOf({ backupWindow: "03:00-03:29" }), ["backupWindow"]);
        assert.deepEqual(fieldsOf({ maintenanceWindow: "sun:05:00-sun:05:20" }), ["maintenanceWindow"]);
        assert.deepEqual(fieldsOf({ backupWindow: "03:00-03:00" }), ["backupWindow"]);
    });

    it("checks storage autoscaling only where it exists (instance modes)", () => {
        assert.deepEqual(fieldsOf({ maxAllocatedStorageGb: 50 }), ["maxAllocatedStorageGb"]);
        assert.deepEqual(fieldsOf({ mode: "aurora", engineVersion: "16", instanceClass: "db.r7g.large", maxAllocatedStorageGb: 50 }), []);
    });

    it("knows the Multi-AZ DB cluster's classes, sizes and storage", () => {
        const cluster = { mode: "multi-az-cluster", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 } as const;
        assert.deepEqual(fieldsOf(cluster), []);
        assert.deepEqual(fieldsOf({ ...cluster, instanceClass: "db.c6gd.medium" }), []);
        assert.deepEqual(fieldsOf({ ...cluster, instanceClass: "db.x2iedn.xlarge" }), []);
        assert.deepEqual(fieldsOf({ ...cluster, instanceClass: "db.m6gd.medium" }), ["instanceClass"]);
        assert.deepEqual(fieldsOf({ ...cluster, instanceClass: "db.m7g.large" }), ["instanceClass"]);
        assert.deepEqual(fieldsOf({ ...cluster, allocatedStorageGb: 100 }), ["allocatedStorageGb"]);
        assert.deepEqual(fieldsOf({ ...cluster, backupRetentionDays: 0 }), ["backupRetentionDays"]);
        assert.deepEqual(fieldsOf({ ...cluster, engineVersion: "18" }), ["engineVersion"]);
        assert.deepEqual(fieldsOf({ ...cluster, backupReplicationRegion: "us-west-2" }), ["backupReplicationRegion"]);
    });

    it("knows Aurora's classes and versions", () => {
        const aurora = { mode: "aurora", instanceClass: "db.r7g.large", engineVersion: "16" } as const;
        assert.deepEqual(fieldsOf(aurora), []);
        for (const ok of ["db.t3.medium", "db.t3.large", "db.t4g.medium", "db.t4g.large", "db.serverless", "db.r8g.xlarge"]) {
            assert.deepEqual(fieldsOf({ ...aurora, instanceClass: ok }), [], ok);
        }
        assert.deepEqual(fieldsOf({ ...aurora, instanceClass: "db.t4g.micro" }), ["instanceClass"]);
        assert.deepEqual(fieldsOf({ ...aurora, instanceClass: "db.m7g.large" }), ["instanceClass"]);
        assert.deepEqual(fieldsOf({ ...aurora, engine: "mysql", engineVersion: "8.0" }), []);
        assert.deepEqual(fieldsOf({ ...aurora, engine: "mysql", engineVersion: "8.0.mysql_aurora.3.08.0", autoMinorVersionUpgrade: false }), []);
        assert.deepEqual(fieldsOf({ ...aurora, engine: "mysql", engineVersion: "8.4.3" }), ["engineVersion"]);
        assert.deepEqual(fieldsOf({ ...aurora, engine: "mysql", engineVersion: "8.0.40" }), ["engineVersion"]);
        assert.deepEqual(fieldsOf({ ...aurora, engineVersion: "12.22" }), ["engineVersion"]);
    });

    it("keeps db.serverless to Aurora", () => {
        assert.deepEqual(fieldsOf({ instanceClass: "db.serverless" }), ["instanceClass"]);
    });

    it("needs automated backups to replicate them", () => {
        assert.deepEqual(fieldsOf({ backupRetentionDays: 0, backupReplicationRegion: "us-west-2" }), ["backupRetentionDays"]);
        assert.deepEqual(fieldsOf({ backupReplicationRegion: "us-west-2" }), []);
    });
});

describe("per-engine settings", () => {
    it("names the Enhanced Monitoring managed policy in the stack's partition", () => {
        assert.equal(enhancedMonitoringPolicyArn("aws"), "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
        assert.equal(enhancedMonitoringPolicyArn("aws-us-gov"), "arn:aws-us-gov:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
        assert.equal(enhancedMonitoringPolicyArn("aws-cn"), "arn:aws-cn:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
    });

    it("enforces TLS with the engine's parameter", () => {
        assert.deepEqual(tlsParameter("multi-az-instance", "postgres"), { name: "rds.force_ssl", value: "1" });
        assert.deepEqual(tlsParameter("aurora", "postgres"), { name: "rds.force_ssl", value: "1" });
        assert.deepEqual(tlsParameter("multi-az-cluster", "mysql"), { name: "require_secure_transport", value: "1" });
        assert.deepEqual(tlsParameter("aurora", "mysql"), { name: "require_secure_transport", value: "ON" });
    });

    it("writes MySQL's slow query log to a file so the slowquery export has something to send", () => {
        const names = engineParameters("single-az", "mysql").map((p) => `${p.name}=${p.value}`);
        assert.deepEqual(names, ["require_secure_transport=1", "slow_query_log=1", "long_query_time=1", "log_output=FILE"]);
        assert.deepEqual(engineParameters("single-az", "postgres"), [{ name: "rds.force_ssl", value: "1" }]);
    });

    it("exports only log types the engine and resource accept", () => {
        assert.deepEqual(logExports("multi-az-instance", "postgres"), ["postgresql", "upgrade"]);
        assert.deepEqual(logExports("multi-az-cluster", "postgres"), ["postgresql"]);
        assert.deepEqual(logExports("aurora", "postgres"), ["postgresql"]);
        assert.deepEqual(logExports("single-az", "mysql"), ["error", "slowquery"]);
        assert.deepEqual(logExports("aurora", "mysql"), ["error", "slowquery"]);
    });

    it("knows where Performance Insights is unavailable", () => {
        assert.equal(performanceInsightsSupported("single-az", "postgres", "db.t4g.micro"), true);
        assert.equal(performanceInsightsSupported("single-az", "mysql", "db.t4g.micro"), false);
        assert.equal(performanceInsightsSupported("single-az", "mysql", "db.t3.small"), false);
        assert.equal(performanceInsightsSupported("single-az", "mysql", "db.t4g.medium"), true);
        assert.equal(performanceInsightsSupported("aurora", "mysql", "db.t3.medium"), false);
        assert.equal(performanceInsightsSupported("aurora", "mysql", "db.t4g.medium"), true);
        assert.equal(performanceInsightsSupported("aurora", "postgres", "db.t3.medium"), true);
    });

    it("counts the AZs each mode needs", () => {
        assert.equal(requiredAvailabilityZones("single-az", 1), 1);
        assert.equal(requiredAvailabilityZones("multi-az-instance", 1), 2);
        assert.equal(requiredAvailabilityZones("multi-az-cluster", 1), 3);
        assert.equal(requiredAvailabilityZones("aurora", 2), 3);
    });
});

describe("rdsIdentifierProblem", () => {
    it("accepts valid identifiers up to 63 characters", () => {
        assert.equal(rdsIdentifierProblem("ecomm-prod-database-final"), undefined);
        assert.equal(rdsIdentifierProblem(`a${"b".repeat(62)}`), undefined);
    });
    for (const bad of ["", `a${"b".repeat(63)}`, "1db", "Db", "db_final", "db--final", "db-final-"]) {
        it(`refuses ${JSON.stringify(bad)}`, () => {
            assert.ok(rdsIdentifierProblem(bad));
        });
    }
});

describe("engine version rule (automatic minor upgrades decide what may be pinned)", () => {
    const cases: [DatabaseRuleInput["mode"], DatabaseRuleInput["engine"], string, boolean, RegExp | undefined][] = [
        ["multi-az-instance", "postgres", "17", true, undefined],
        ["multi-az-instance", "postgres", "17", false, undefined],
        ["multi-az-instance", "postgres", "17.7", true, /pins a minor version; give the major version only, e\.g\. 17/],
        ["multi-az-instance", "postgres", "17.7", false, undefined],
        ["single-az", "postgres", "16.8", false, /16\.8 is deprecated/],
        ["single-az", "postgres", "16.9", false, undefined],
        ["single-az", "postgres", "14.14", false, /14\.14 is deprecated/],
        ["single-az", "postgres", "14.18", false, undefined],
        ["multi-az-cluster", "postgres", "15.12", false, /15\.12 is deprecated/],
        ["multi-az-cluster", "postgres", "17.4", false, /17\.4 is deprecated/],
        ["multi-az-cluster", "postgres", "17.5", false, undefined],
        // Aurora PostgreSQL has its own minors: the RDS for PostgreSQL deprecation list does not apply.
        ["aurora", "postgres", "16.8", false, undefined],
        ["aurora", "postgres", "16.8", true, /pins a minor version/],
        ["single-az", "postgres", "17.7.1", false, /not a version of postgres/],
        ["single-az", "mysql", "8.4", true, undefined],
        ["single-az", "mysql", "8.4.7", true, /pins a minor version; give the major version only, e\.g\. 8\.4/],
        ["single-az", "mysql", "8.4.7", false, undefined],
        ["single-az", "mysql", "8", false, /not a version of mysql/],
        ["aurora", "mysql", "8.0", true, undefined],
        ["aurora", "mysql", "8.0.mysql_aurora.3.10.0", true, /pins a minor version; give the major version only, e\.g\. 8\.0/],
        ["aurora", "mysql", "8.0.mysql_aurora.3.10.0", false, undefined],
        ["aurora", "mysql", "8.0.40", false, /not a version of aurora-mysql/],
    ];
    for (const [mode, engine, version, auto, expected] of cases) {
        it(`${mode} ${engine} ${version} with automatic minor upgrades ${auto ? "on" : "off"}: ${expected ? "refused" : "accepted"}`, () => {
            const problem = engineVersionProblem(mode, engine, version, auto);
            if (expected) assert.match(problem ?? "", expected);
            else assert.equal(problem, undefined);
        });
    }

    it("refuses the major-upgrade switch without applyImmediately, on the applyImmediately field", () => {
        assert.deepEqual(fieldsOf({ allowMajorVersionUpgrade: true }), ["applyImmediately"]);
        assert.deepEqual(fieldsOf({ allowMajorVersionUpgrade: true, applyImmediately: true }), []);
    });

    it("every default major is accepted with automatic minor upgrades on", () => {
        for (const mode of ["single-az", "multi-az-instance", "multi-az-cluster", "aurora"] as const) {
            for (const engine of ["postgres", "mysql"] as const) {
                assert.deepEqual(fieldsOf({ mode, engine, engineVersion: defaultEngineVersion(mode, engine), instanceClass: mode === "aurora" ? "db.r7g.large" : "db.m6gd.large", allocatedStorageGb: 400 }), [], `${mode} ${engine}`);
            }
        }
    });
});
