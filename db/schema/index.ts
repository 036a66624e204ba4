export * from "./org";
export * from "./staff";
export * from "./reports";
export * from "./uploads";
export * from "./followup";
export * from "./audit";
export * from "./staff-auth";
export * from "./sharing";
