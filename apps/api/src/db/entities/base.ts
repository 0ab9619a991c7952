import { randomUUID } from 'node:crypto';
import { BeforeInsert, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// Ids are generated in the process, not by the database, so a secret can be encrypted with its row id as
// associated data before the row is inserted.
export abstract class BaseRow {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;

  @BeforeInsert()
  assignId(): void {
    if (!this.id) this.id = randomUUID();
  }
}

export function newId(): string {
  return randomUUID();
}
