/**
 * Where the database credentials come from. The backend asks its source again whenever the database refuses
 * them (the RDS-managed secret rotates, every 7 days by default), so a source must return the *current* value
 * on every call, never a copy taken at start.
 */
import * as fs from "node:fs";
import { z } from "zod";

export interface Credentials {
    readonly username: string;
    readonly password: string;
}

export interface SecretSource {
    /** For logs: which secret, never its value. */
    readonly description: string;
    fetch(): Promise<Credentials>;
}

/** The JSON RDS keeps in a managed master-user secret (other keys, e.g. `engine`, are ignored). */
const credentialsSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** Parses a secret's JSON text; the message names the source, never the value. */
export function parseCredentials(text: string, source: string): Credentials {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        throw new Error(`${source}: the secret is not JSON; expected {"username": "...", "password": "..."}`);
    }
    const parsed = credentialsSchema.safeParse(json);
    if (!parsed.success) {
        const keys = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
        throw new Error(`${source}: the secret needs non-empty string keys "username" and "password" (problem at: ${keys})`);
    }
    return { username: parsed.data.username, password: parsed.data.password };
}

/** Fixed credentials, e.g. from `DATABASE_URL`. */
export class StaticSecretSource implements SecretSource {
    readonly description = "credentials in DATABASE_URL";
    constructor(private readonly credentials: Credentials) {}
    async fetch(): Promise<Credentials> {
        return this.credentials;
    }
}

/** A JSON file `{"username","password"}`, read again on every fetch (local runs and tests of rotation). */
export class FileSecretSource implements SecretSource {
    readonly description: string;
    constructor(private readonly file: string) {
        this.description = `secret file ${file}`;
    }
    async fetch(): Promise<Credentials> {
        return parseCredentials(await fs.promises.readFile(this.file, "utf8"), this.description);
    }
}

/** The minimal client surface used, so tests can pass a recorded client. */
export interface SecretsManagerLike {
    send(command: unknown): Promise<{ SecretString?: string }>;
}

/** The region part of a Secrets Manager ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`). */
export function regionOfSecretArn(arn: string): string {
    const m = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/.exec(arn);
    if (!m) throw new Error(`DB_SECRET_ARN: "${arn}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`);
    return m[1];
}

/**
 * The RDS-managed secret, read with the instance role's credentials (the SDK's default chain: on EC2 the
 * instance profile via IMDSv2). The region comes from the ARN, so db.env needs no region key.
 */
export class SecretsManagerSecretSource implements SecretSource {
    readonly description: string;
    private client: SecretsManagerLike | undefined;

    constructor(
        private readonly secretArn: string,
        client?: SecretsManagerLike,
    ) {
        this.description = `Secrets Manager secret ${secretArn}`;
        regionOfSecretArn(secretArn);
        this.client = client;
    }

    async fetch(): Promise<Credentials> {
        const sm = await import("@aws-sdk/client-secrets-manager");
        this.client ??= new sm.SecretsManagerClient({ region: regionOfSecretArn(this.secretArn), maxAttempts: 3 });
        const out = await this.client.send(new sm.GetSecretValueCommand({ SecretId: this.secretArn }));
        if (out.SecretString === undefined) throw new Error(`${this.description}: the secret has no SecretString (binary secrets are not supported)`);
        return parseCredentials(out.SecretString, this.description);
    }
}
