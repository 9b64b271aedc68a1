import { useContext } from 'react';
import { FeaturesContext, type TileAddonProps } from '../featureTypes';

/** What features add on top of a camera tile (PTZ pad, instant replay), as the composition root lists them. */
export function TileAddons(props: TileAddonProps) {
  const { tileAddons } = useContext(FeaturesContext);
  return (
    <>
      {tileAddons.map((Addon, order) => (
        <Addon key={order} {...props} />
      ))}
    </>
  );
}
