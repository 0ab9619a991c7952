import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('system_setting')
export class SystemSettingRow {
  @PrimaryColumn('varchar', { length: 64 })
  key!: string;

  @Column('text')
  value!: string;
}
