/**
 * A Mermaid flowchart of the recorded graph: internet → ALB → listeners/rules → target groups → ASGs per
 * AZ in private subnets → database primary and standby in isolated subnets, plus monitoring. Node ids are
 * derived from the recorded logical names, so a test can match them with the resources.
 */
import type { RecordedResource } from "../recorded";
import { arr, Graph, num, rec, str, TYPES } from "./graph";
import { databaseMode } from "./scorecard";
import { BUILT_IN_SERVICES } from "../../Ecomm.Pulumi/web/services";

/** A Mermaid-safe node id for a recorded resource. */
export function nodeId(r: Pick<RecordedResource, "name">): string {
    return r.name.replace(/[^A-Za-z0-9_]/g, "_");
}

const label = (text: string) => `"${text.replace(/"/g, "'")}"`;

export function renderDiagram(resources: readonly RecordedResource[], availabilityZones: readonly string[]): string {
    const g = new Graph(resources);
    const out = ["flowchart TB", `    internet((Internet))`];
    const azs = availabilityZones.length ? availabilityZones : ["az"];
    const tgByArn = new Map(g.ofType(TYPES.targetGroup).map((tg) => [String(tg.state.arn), tg]));

    for (const lb of g.ofType(TYPES.lb)) {
        out.push(`    ${nodeId(lb)}[${label(`ALB ${lb.name}<br/>public subnets x ${azs.length}`)}]`, `    internet --> ${nodeId(lb)}`);
        for (const l of g.ofType(TYPES.listener).filter((x) => x.inputs.loadBalancerArn === lb.state.arn)) {
            const action = rec(arr(l.inputs.defaultActions)[0]);
            const redirect = action.type === "redirect";
            out.push(`    ${nodeId(l)}[${label(`${String(l.inputs.protocol)} :${String(l.inputs.port)}${redirect ? " → 301 HTTPS" : ""}`)}]`, `    ${nodeId(lb)} --> ${nodeId(l)}`);
            const tg = tgByArn.get(String(action.targetGroupArn));
            if (tg) out.push(`    ${nodeId(l)} -->|default| ${nodeId(tg)}`);
            for (const rule of g.ofType(TYPES.listenerRule).filter((x) => x.inputs.listenerArn === l.state.arn)) {
                const ruleTg = tgByArn.get(String(rec(arr(rule.inputs.actions)[0]).targetGroupArn));
                const patterns = arr(rec(rec(arr(rule.inputs.conditions)[0]).pathPattern).values).join(", ");
                if (ruleTg) out.push(`    ${nodeId(l)} -->|${label(patterns || rule.name)}| ${nodeId(ruleTg)}`);
            }
        }
    }
    for (const tg of g.ofType(TYPES.targetGroup)) {
        const hc = rec(tg.inputs.healthCheck);
        out.push(`    ${nodeId(tg)}[${label(`TG ${tg.name}<br/>${String(hc.path ?? "/")} every ${String(hc.interval ?? 30)}s`)}]`);
    }
    out.push(`    subgraph private["private subnets"]`);
    for (const asg of g.ofType(TYPES.asg)) {
        const min = num(asg.inputs.minSize) ?? 0;
        const max = num(asg.inputs.maxSize) ?? 0;
        out.push(`        subgraph ${nodeId(asg)}[${label(`ASG ${asg.name} ${min}-${max}`)}]`);
        for (const az of azs) out.push(`            ${nodeId(asg)}_${az.replace(/-/g, "_")}[${label(`${g.serviceOf(asg)} ${az}`)}]`);
        out.push(`        end`);
    }
    out.push(`    end`);
    for (const asg of g.ofType(TYPES.asg)) for (const tg of g.targetGroupsOf(asg)) out.push(`    ${nodeId(tg)} --> ${nodeId(asg)}`);

    const mode = databaseMode(g);
    // The database's client: the service the table says reads it (the backend).
    const clients = new Set(BUILT_IN_SERVICES.filter((d) => d.databaseClient).map((d) => d.name as string));
    const backend = g.ofType(TYPES.asg).find((a) => clients.has(g.serviceOf(a)));
    if (mode !== "none") {
        out.push(`    subgraph isolated["isolated subnets"]`);
        const instance = g.ofType(TYPES.rdsInstance)[0];
        const cluster = g.ofType(TYPES.rdsCluster)[0];
        const primary = instance ?? cluster;
        out.push(`        ${nodeId(primary)}[(${label(`${mode === "aurora" ? "Aurora writer" : "primary"} ${primary.name}<br/>${String(primary.inputs.engine ?? "")} ${String(primary.inputs.instanceClass ?? primary.inputs.dbClusterInstanceClass ?? "")}`)})]`);
        if (mode === "multi-az-instance") out.push(`        ${nodeId(primary)}_standby[(${label("synchronous standby<br/>another AZ")})]`, `        ${nodeId(primary)} -. sync .-> ${nodeId(primary)}_standby`);
        if (mode === "multi-az-cluster") out.push(`        ${nodeId(primary)}_readers[(${label("2 readable standbys<br/>other AZs")})]`, `        ${nodeId(primary)} -. semi-sync .-> ${nodeId(primary)}_readers`);
        for (const ci of g.ofType(TYPES.rdsClusterInstance)) out.push(`        ${nodeId(ci)}[(${label(`${ci.name}<br/>${str(ci.inputs.availabilityZone) ?? ""}`)})]`, `        ${nodeId(primary)} --- ${nodeId(ci)}`);
        out.push(`    end`);
        if (backend) out.push(`    ${nodeId(backend)} --> ${nodeId(primary)}`);
    }
    const topic = g.ofType(TYPES.topic)[0];
    if (topic) {
        const alarms = g.ofType(TYPES.alarm).length + g.ofType(TYPES.compositeAlarm).length;
        out.push(`    alarms{{${label(`${alarms} CloudWatch alarms`)}}} --> ${nodeId(topic)}[${label(`SNS ${topic.name}<br/>pages on-call`)}]`);
        for (const d of g.ofType(TYPES.dashboard)) out.push(`    ${nodeId(d)}[${label(`dashboard ${d.name}`)}]`);
    }
    return out.join("\n");
}
