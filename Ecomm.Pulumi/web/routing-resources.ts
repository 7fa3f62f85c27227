/**
 * The web tier's routing resources: a target group per service, the serving listener (its default action
 * the default-routed service), one listener rule per path-routed service, and the HTTP→HTTPS redirect.
 * Parented to the WebTierComponent (`parent`), so the URNs are its children's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { targetGroupHealthCheck } from "./health-check";
import { TLS_POLICY, type ListenerPlan } from "./listeners";
import { loadBalancerNames } from "./names";
import type { WebServiceArgs, WebTierComponentArgs } from "./web-tier-component";

/** Instance targets on the service port, health-checked on the service's path with its timing. */
export function createTargetGroup(parent: pulumi.ComponentResource, name: string, service: WebServiceArgs, vpcId: pulumi.Input<string>): aws.lb.TargetGroup {
    return new aws.lb.TargetGroup(
        loadBalancerNames(name, [service.name]).targetGroups[service.name],
        {
            vpcId,
            targetType: "instance",
            protocol: "HTTP",
            protocolVersion: "HTTP1",
            port: service.port,
            deregistrationDelay: service.deregistrationDelaySeconds,
            healthCheck: targetGroupHealthCheck(service.healthCheckPath, service.healthCheck),
            tags: { Name: `${name}-${service.name}-tg` },
        },
        { parent },
    );
}

/**
 * The serving listener (forwarding to the default-routed service) and one rule per path-routed service;
 * returns what forwards traffic, for the services to wait on.
 */
export function createListeners(parent: pulumi.ComponentResource, name: string, args: WebTierComponentArgs, plan: ListenerPlan, alb: aws.lb.LoadBalancer, targetGroups: ReadonlyMap<string, aws.lb.TargetGroup>): pulumi.Resource[] {
    const arnOf = (service: string) => {
        const tg = targetGroups.get(service);
        if (!tg) throw new Error(`no target group for ${service}`);
        return tg.arn;
    };
    const defaultService = args.services.find((s) => s.routing.kind === "default");
    if (!defaultService) throw new Error("no default-routed service"); // webTierProblems refused it already
    const serving = new aws.lb.Listener(
        `${name}-${plan.servingProtocol.toLowerCase()}`,
        {
            loadBalancerArn: alb.arn,
            port: plan.servingPort,
            protocol: plan.servingProtocol,
            ...(plan.servingProtocol === "HTTPS" ? { certificateArn: args.certificateArn, sslPolicy: TLS_POLICY } : {}),
            defaultActions: [{ type: "forward", targetGroupArn: arnOf(defaultService.name) }],
        },
        { parent },
    );
    const rules = args.services.flatMap((s) =>
        s.routing.kind === "path"
            ? [
                  new aws.lb.ListenerRule(
                      `${name}-${s.name}-rule`,
                      {
                          listenerArn: serving.arn,
                          priority: s.routing.priority,
                          conditions: [{ pathPattern: { values: [...(s.pathPatterns ?? [])] } }],
                          actions: [{ type: "forward", targetGroupArn: arnOf(s.name) }],
                      },
                      { parent },
                  ),
              ]
            : [],
    );
    if (plan.redirectHttp) {
        new aws.lb.Listener(
            `${name}-http-redirect`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            },
            { parent },
        );
    }
    return [serving, ...rules];
}
