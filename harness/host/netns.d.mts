export declare function nsInode(fd: number): number;
export declare function inNetns<T>(nsPath: string, fn: () => T): T;
export declare function socketNetns(fd: number): { ino?: number; errno?: string };
export declare function threadNetns(): number;
export declare function whyNoNetnsFile(): string | undefined;
