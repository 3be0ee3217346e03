/**
 * The part of `@zohocrm/nodejs-sdk-8.0` (plain ES modules, no type declarations) that
 * zoho.sdk.test.ts uses, typed from the package's own sources (lib/routes, lib/models,
 * lib/core/com/zoho/crm/api/{users,fields}). Test tooling only: the adapter speaks plain HTTP.
 */
declare module '@zohocrm/nodejs-sdk-8.0' {
  /** A data centre: the API domain, the full token URL (`…/oauth/v2/token`), the upload host. */
  export class Environment {
    constructor(url: string, accountsUrl: string, fileUploadUrl: string);
    getUrl(): string;
    getAccountsUrl(): string;
  }

  export class OAuthToken {
    getAccessToken(): string | null;
    getRefreshToken(): string | null;
    /** Epoch milliseconds, as a string, when the access token runs out. */
    getExpiresIn(): string | null;
    getAPIDomain(): string | null;
    /** Returns a valid access token: refreshes it first when it is missing or about to expire. */
    getToken(): Promise<string>;
  }

  export class OAuthBuilder {
    clientId(clientId: string): this;
    clientSecret(clientSecret: string): this;
    refreshToken(refreshToken: string): this;
    accessToken(accessToken: string): this;
    findUser(findUser: boolean): this;
    build(): OAuthToken;
  }

  export const Levels: { readonly OFF: string; readonly ERROR: string; readonly INFO: string };

  export interface Logger {
    readonly level: string;
  }

  export class LogBuilder {
    level(level: string): this;
    filePath(filePath: string): this;
    build(): Logger;
  }

  export interface TokenStore {
    findToken(token: OAuthToken): Promise<OAuthToken | null>;
  }

  /** The token store that persists grants in a CSV file. */
  export const FileStore: new (filePath: string) => TokenStore;

  export interface SDKConfig {
    applyAPIDomainUpdate(): boolean;
  }

  export class SDKConfigBuilder {
    pickListValidation(validate: boolean): this;
    autoRefreshFields(refresh: boolean): this;
    build(): SDKConfig;
  }

  export interface InitializeBuilderInstance {
    environment(environment: Environment): this;
    token(token: OAuthToken): this;
    store(store: TokenStore): this;
    SDKConfig(config: SDKConfig): this;
    resourcePath(path: string): this;
    logger(logger: Logger): this;
    initialize(): Promise<void>;
  }

  /** Its constructor resolves asynchronously: `await new InitializeBuilder()`. */
  export const InitializeBuilder: new () => Promise<InitializeBuilderInstance>;

  export class SDKException extends Error {
    code: string | null;
    details: Record<string, unknown> | null;
  }

  export class Param {
    readonly name: string;
  }

  export class ParameterMap {
    add(param: Param, value: string | number): Promise<void>;
  }

  export interface Choice<T> {
    getValue(): T;
  }

  export interface APIResponse<T> {
    getStatusCode(): number;
    getObject(): T;
    getHeaders(): Map<string, string>;
  }

  // Record ids come back as BigInt (Zoho's ids are 19 digits, past Number's exact range).
  export namespace Users {
    class MinifiedRecord {
      getId(): bigint;
      getName(): string;
    }
    class Users {
      getId(): bigint;
      getEmail(): string;
      getFullName(): string;
      getFirstName(): string | null;
      getLastName(): string;
      getStatus(): string;
      getRole(): MinifiedRecord;
      getProfile(): MinifiedRecord;
    }
    class Info {
      getPerPage(): number;
      getCount(): number;
      getPage(): number;
      getMoreRecords(): boolean;
    }
    class ResponseWrapper {
      getUsers(): Users[];
      getInfo(): Info;
    }
    class APIException {
      getCode(): Choice<string>;
      getMessage(): Choice<string>;
      getStatus(): Choice<string>;
      getDetails(): Map<string, unknown>;
    }
    class UsersOperations {
      getUsers(params?: ParameterMap): Promise<APIResponse<ResponseWrapper | APIException> | null>;
    }
    const GetUsersParam: { readonly TYPE: Param; readonly PAGE: Param; readonly PER_PAGE: Param };
  }

  export namespace Fields {
    class PickListValue {
      getId(): bigint;
      getDisplayValue(): string;
      getActualValue(): string;
      getSequenceNumber(): number;
      setDisplayValue(value: string): void;
      setActualValue(value: string): void;
    }
    class Fields {
      getId(): bigint;
      getAPIName(): string;
      getFieldLabel(): string;
      getDataType(): string;
      getCustomField(): boolean;
      getPickListValues(): PickListValue[] | null;
      setFieldLabel(label: string): void;
      setDataType(type: string): void;
      setPickListValues(values: PickListValue[]): void;
    }
    class BodyWrapper {
      setFields(fields: Fields[]): void;
    }
    class ResponseWrapper {
      getFields(): Fields[];
    }
    class SuccessResponse {
      getCode(): Choice<string>;
      getMessage(): string;
      getStatus(): Choice<string>;
      getDetails(): Map<string, unknown>;
    }
    class APIException {
      getCode(): Choice<string>;
      getMessage(): string;
      getStatus(): Choice<string>;
      getDetails(): Map<string, unknown>;
    }
    class ActionWrapper {
      getFields(): (SuccessResponse | APIException)[];
    }
    type Reply<T> = APIResponse<T | APIException> | null;
    class FieldsOperations {
      getFields(params?: ParameterMap): Promise<Reply<ResponseWrapper>>;
      createField(body: BodyWrapper, params?: ParameterMap): Promise<Reply<ActionWrapper>>;
      updateField(
        id: bigint | string,
        body: BodyWrapper,
        params?: ParameterMap,
      ): Promise<Reply<ActionWrapper>>;
    }
    const GetFieldsParam: { readonly MODULE: Param };
    const CreateFieldParam: { readonly MODULE: Param };
    const UpdateFieldParam: { readonly MODULE: Param };
  }
}
